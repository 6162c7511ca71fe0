import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * Starts exporting this process's traces over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, the OpenTelemetry convention; off otherwise.
 * Registers the provider, W3C trace-context propagation and async context for the process:
 * called once, by a service's entry point. Resolves how to flush and stop.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): { stop(): Promise<void> } | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const provider = new NodeTracerProvider({ resource: new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? service }) });
  provider.addSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter()));
  provider.register();
  return { stop: () => provider.shutdown() };
}
