import { startStandIn, type StandInAnswer, type StandInOptions, type StandInProtocol, type StandInRequest, type StandInServer } from './stand-in-server.js';

function messagesOf(body: Record<string, unknown>): Array<{ role: string; content: string }> {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as Array<Record<string, unknown>>) : [];
  return messages.map((message) => ({ role: String(message['role']), content: String(message['content'] ?? '') }));
}

/** A fake tokenisation of the answer for the logprobs shape: words, with a confidence token kept whole. */
function fakeTokens(text: string): string[] {
  return text.match(/<\|[a-z_]+\|>|\s*[^\s<]+|\s+/g) ?? [text];
}

/**
 * vLLM's logprobs shape (`choices[].logprobs.content[]` of {token, logprob, bytes, top_logprobs[]}), as in vLLM's
 * `ChatCompletionLogProbsContent`. The final token carries the answer's P(c) and P(u) among its alternatives.
 */
function logprobsContent(answer: StandInAnswer, topLogprobs: number) {
  if (answer.tokenLogprobs !== undefined) return givenLogprobsContent(answer.tokenLogprobs, topLogprobs);
  const tokens = fakeTokens(answer.text);
  return tokens.map((token, index) => {
    const bytes = [...Buffer.from(token, 'utf8')];
    const last = index === tokens.length - 1;
    const alternatives: Array<{ token: string; logprob: number; bytes: number[] }> = [];
    if (last && answer.confidence) {
      alternatives.push({ token: '<|c_math|>', logprob: Math.log(answer.confidence.confident), bytes: [...Buffer.from('<|c_math|>')] });
      alternatives.push({ token: '<|u_math|>', logprob: Math.log(answer.confidence.uncertain), bytes: [...Buffer.from('<|u_math|>')] });
      alternatives.sort((left, right) => right.logprob - left.logprob);
    } else {
      alternatives.push({ token, logprob: -0.05, bytes });
    }
    for (let filler = alternatives.length; filler < topLogprobs; filler++) {
      alternatives.push({ token: ` alt${filler}`, logprob: -6 - filler, bytes: [...Buffer.from(` alt${filler}`)] });
    }
    const own = alternatives.find((candidate) => candidate.token === token);
    return { token, logprob: own?.logprob ?? -0.05, bytes, top_logprobs: alternatives.slice(0, topLogprobs) };
  });
}

/** The responder's own logprobs: token i is `t<i>`, its alternatives itself and ` alt<j>`, in the rows' order. */
function givenLogprobsContent(rows: number[][], topLogprobs: number) {
  return rows.map((row, index) => {
    const token = `t${index}`;
    const alternatives = row.slice(0, topLogprobs).map((logprob, rank) => {
      const text = rank === 0 ? token : ` alt${rank}`;
      return { token: text, logprob, bytes: [...Buffer.from(text, 'utf8')] };
    });
    return { token, logprob: row[0]!, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: alternatives };
  });
}

/** OpenAI's chat completions protocol, with vLLM's extra fields (`stop_reason`, logprobs, `prompt_logprobs`). */
export const openaiProtocol: StandInProtocol = {
  name: 'openai',
  parse(path, body): StandInRequest | null {
    if (!path.endsWith('/chat/completions')) return null;
    const format = body['response_format'] as { type?: string; json_schema?: { schema?: Record<string, unknown> } } | undefined;
    const maxTokens = body['max_completion_tokens'] ?? body['max_tokens'];
    return {
      model: String(body['model']),
      messages: messagesOf(body),
      maxOutputTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
      responseSchema: format?.type === 'json_schema' ? format.json_schema?.schema : undefined,
      logprobs: body['logprobs'] === true ? { topLogprobs: Number(body['top_logprobs'] ?? 0) } : undefined,
      body,
    };
  },
  apiKeyOf(request) {
    const header = request.headers['authorization'];
    return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
  },
  render(request, answer) {
    const stopStrings = Array.isArray(request.body['stop']) ? (request.body['stop'] as string[]) : [];
    const stopReason = stopStrings.find((stop) => answer.text.endsWith(stop)) ?? null;
    const completion = answer.usage.output + answer.usage.thinking;
    return {
      id: `chatcmpl-${request.model.length}${completion}`,
      object: 'chat.completion',
      created: 1_750_000_000,
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answer.text, reasoning_content: null, tool_calls: [] },
          logprobs: request.logprobs ? { content: logprobsContent(answer, request.logprobs.topLogprobs) } : null,
          finish_reason: answer.finishReason ?? 'stop',
          stop_reason: stopReason,
        },
      ],
      usage: {
        prompt_tokens: answer.usage.input,
        completion_tokens: completion,
        total_tokens: answer.usage.input + completion,
        ...(answer.usage.thinking > 0 ? { completion_tokens_details: { reasoning_tokens: answer.usage.thinking } } : {}),
        prompt_tokens_details: null,
      },
      prompt_logprobs: null,
    };
  },
  renderError(status, message) {
    return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'stand_in_error', code: status } };
  },
};

/** An OpenAI- (and vLLM-) compatible stand-in; its base URL for clients is `${url}/v1`. */
export function startOpenAIStandIn(options: StandInOptions): Promise<StandInServer> {
  return startStandIn(openaiProtocol, options);
}
