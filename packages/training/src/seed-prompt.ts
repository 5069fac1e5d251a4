/** The seed's prompt; `{problem}` in the user template is replaced by the problem text. */
export const SEED_SYSTEM_PROMPT =
  'You are helpful assistant for mathematical problems. Please reason step by step, and put your final answer within \\boxed{}.';
export const SEED_USER_TEMPLATE =
  'Solve this math problem step by step. Put your final answer in \\boxed{}.\n\nProblem: {problem}';
