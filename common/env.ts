/**
 * The environment variables each service reads, in one place: the README documents them and
 * the docker-compose test checks that the deployment sets no variable the code ignores.
 */
export const SERVICE_ENVIRONMENT = {
  gateway: ['PORT', 'LOG_LEVEL', 'XIETONG_REDIS_URL', 'XIETONG_ADMIN_TOKEN'],
  directory: ['PORT', 'HOST', 'LOG_LEVEL'],
  province: ['PORT', 'HOST', 'LOG_LEVEL', 'XIETONG_PROVINCE', 'XIETONG_DATABASE_URL', 'XIETONG_MAPPING_FILE', 'XIETONG_SEED_DEMO'],
} as const;
