/**
 * Starts exporting this process's traces over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, the OpenTelemetry convention; off otherwise.
 * Registers the provider, W3C trace-context propagation and async context for the process:
 * called once, by a service's entry point. Resolves how to flush and stop.
 */
export async function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Promise<{ stop(): Promise<void> } | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  // The SDK is loaded only when traces are exported: its semantic conventions alone hold megabytes
  // of source in every process's heap.
  const [{ OTLPTraceExporter }, { Resource }, { BatchSpanProcessor }, { NodeTracerProvider }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const provider = new NodeTracerProvider({ resource: new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? service }) });
  provider.addSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter()));
  provider.register();
  return { stop: () => provider.shutdown() };
}
