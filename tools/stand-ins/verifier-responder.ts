import { defaultResponder } from './default-responder.js';
import type { Responder, StandInAnswer } from './stand-in-server.js';

/** A verifier reply the stand-in gives when a prompt holds `contains` (e.g. the end of the judged response). */
export interface VerifierFixture {
  contains: string;
  reply: string;
  /** `length`: the reply was cut off by the token limit. */
  finishReason?: string;
}

/**
 * A stand-in judge: answers each verifier prompt from a fixture table (the first fixture whose text the prompt holds),
 * so tests of model verifiers run offline; other prompts get the default responder's answer.
 */
export function verifierResponder(fixtures: readonly VerifierFixture[], fallback = defaultResponder()): Responder {
  return (request) => {
    const prompt = request.messages.map((message) => message.content).join('\n');
    const fixture = fixtures.find((entry) => prompt.includes(entry.contains));
    if (fixture === undefined) return fallback(request);
    const answer: StandInAnswer = { text: fixture.reply, usage: { input: Math.ceil(prompt.length / 4), output: Math.max(1, Math.ceil(fixture.reply.length / 4)), thinking: 0 } };
    return fixture.finishReason ? { ...answer, finishReason: fixture.finishReason } : answer;
  };
}
