/** The live model-client contract is core's public API (a client plugin needs only @confide/core); kept here too. */
export { inputTokenBound, isLiveModelClient, type LiveGenerateOptions, type LiveGenerationRequest, type LiveModelClient, type ResponseSchema } from '@confide/core';
