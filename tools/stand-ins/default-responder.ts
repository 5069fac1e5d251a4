import { hashUniform } from './fault-plan.js';
import type { Responder, StandInAnswer, StandInRequest } from './stand-in-server.js';

function promptText(request: StandInRequest): string {
  return request.messages.map((message) => `${message.role}: ${message.content}`).join('\n');
}

/** An answer that follows a structured-output schema: each enum property takes a value chosen by the prompt's hash. */
function schemaAnswer(schema: Record<string, unknown>, draw: number): string {
  const properties = (schema['properties'] ?? {}) as Record<string, { enum?: unknown[]; type?: string }>;
  const value: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (Array.isArray(property.enum) && property.enum.length > 0) {
      value[name] = property.enum[Math.floor(draw * property.enum.length)];
    } else if (property.type === 'number' || property.type === 'integer') {
      value[name] = Math.round(draw * 100) / 100;
    } else {
      value[name] = 'chosen by the stand-in';
    }
  }
  return JSON.stringify(value);
}

/**
 * A deterministic stand-in model: the answer and its token counts depend only on the prompt. With logprobs it ends in
 * a confidence token, like the fine-tuned SLM; with a schema it answers JSON that follows it.
 */
export function defaultResponder(options: { thinking?: boolean } = {}): Responder {
  return (request): StandInAnswer => {
    const prompt = promptText(request);
    const draw = hashUniform(prompt);
    const input = Math.max(1, Math.ceil(Buffer.byteLength(prompt, 'utf8') / 4));
    const cap = request.maxOutputTokens ?? 4096;
    const output = Math.min(cap, 20 + Math.floor(draw * 200));
    const thinking = options.thinking ? Math.floor(draw * 400) : 0;
    if (request.responseSchema) {
      return { text: schemaAnswer(request.responseSchema, draw), usage: { input, output: Math.min(cap, 12), thinking } };
    }
    const answer = Math.floor(draw * 10);
    if (request.logprobs) {
      const confident = draw < 0.7;
      const pc = confident ? 0.55 + draw * 0.4 : 0.1 + draw * 0.3;
      const pu = Math.max(0, 1 - pc - 0.02);
      return {
        text: `Working it through, the result is \\boxed{${answer}}. ${confident ? '<|c_math|>' : '<|u_math|>'}`,
        usage: { input, output, thinking: 0 },
        finishReason: 'stop',
        confidence: { confident: pc, uncertain: pu },
      };
    }
    return { text: `The final answer is $\\boxed{${answer}}$.`, usage: { input, output, thinking } };
  };
}
