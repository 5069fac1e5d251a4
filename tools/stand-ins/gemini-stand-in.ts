import { startStandIn, type StandInOptions, type StandInProtocol, type StandInRequest, type StandInServer } from './stand-in-server.js';

function partsText(value: unknown): string {
  const parts = (value as { parts?: Array<{ text?: string }> } | undefined)?.parts ?? [];
  return parts.map((part) => part.text ?? '').join('');
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** The Gemini API's `models/{model}:generateContent`, as @google/genai calls it. */
export const geminiProtocol: StandInProtocol = {
  name: 'gemini',
  parse(path, body): StandInRequest | null {
    const match = /\/models\/([^/:]+):generateContent$/.exec(path);
    if (match === null) return null;
    const contents = Array.isArray(body['contents']) ? (body['contents'] as Array<Record<string, unknown>>) : [];
    const system = body['systemInstruction'] ?? (body['system_instruction'] as unknown);
    const config = (body['generationConfig'] ?? {}) as Record<string, unknown>;
    return {
      model: decodeURIComponent(match[1]!),
      messages: [
        ...(system ? [{ role: 'system', content: partsText(system) }] : []),
        ...contents.map((content) => ({ role: String(content['role'] ?? 'user'), content: partsText(content) })),
      ],
      maxOutputTokens: typeof config['maxOutputTokens'] === 'number' ? config['maxOutputTokens'] : undefined,
      responseSchema: (config['responseJsonSchema'] ?? config['responseSchema']) as Record<string, unknown> | undefined,
      logprobs: undefined,
      body,
    };
  },
  apiKeyOf(request) {
    const header = request.headers['x-goog-api-key'];
    return typeof header === 'string' ? header : undefined;
  },
  render(request, answer) {
    return {
      candidates: [{ content: { parts: [{ text: answer.text }], role: 'model' }, finishReason: answer.finishReason ?? 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: answer.usage.input,
        candidatesTokenCount: answer.usage.output,
        ...(answer.usage.thinking > 0 ? { thoughtsTokenCount: answer.usage.thinking } : {}),
        totalTokenCount: answer.usage.input + answer.usage.output + answer.usage.thinking,
      },
      modelVersion: request.model,
      responseId: `stand-in-${answer.usage.input}-${answer.usage.output}`,
    };
  },
  renderError(status, message) {
    return { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } };
  },
};

/** A Gemini-compatible stand-in; pass its `url` as the client's base URL. */
export function startGeminiStandIn(options: StandInOptions): Promise<StandInServer> {
  return startStandIn(geminiProtocol, options);
}
