/**
 * The environment variables each service reads, in one place: the README documents them and
 * the docker-compose test checks that the deployment sets no variable the code ignores.
 */
export const SERVICE_ENVIRONMENT = {
  gateway: ['PORT', 'LOG_LEVEL', 'XIETONG_REDIS_URL', 'XIETONG_ADMIN_TOKEN', 'XIETONG_JWT_ISSUER', 'XIETONG_JWT_AUDIENCE', 'XIETONG_JWT_PUBLIC_KEY_FILE', 'XIETONG_JWT_KEY_ID', 'XIETONG_JWKS_URL', 'XIETONG_ASSERTION_PRIVATE_KEY_FILE', 'XIETONG_PERSISTED_OPERATIONS_FILE', 'XIETONG_SAFELIST', 'XIETONG_WORKERS'],
  directory: ['PORT', 'HOST', 'LOG_LEVEL', 'XIETONG_ASSERTION_PUBLIC_KEY_FILE'],
  province: ['PORT', 'HOST', 'LOG_LEVEL', 'XIETONG_PROVINCE', 'XIETONG_DATABASE_URL', 'XIETONG_MAPPING_FILE', 'XIETONG_SEED_DEMO', 'XIETONG_ASSERTION_PUBLIC_KEY_FILE'],
} as const;
