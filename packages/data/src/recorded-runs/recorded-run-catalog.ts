/**
 * The ten per-problem recorded MATH-500 runs behind the seed's tables (Akirahai/Delegate_SLM_Focus, commit 39570edd),
 * with what each one is. Run ids are Confide's; `folder`/`file` name the upstream files.
 */
export const RECORDED_RUNS_ORIGIN = 'Akirahai/Delegate_SLM_Focus@39570edd (MIT, (c) 2025 Huy Dang)';

export const SLM_1_5B = 'qwen2.5-math-1.5b-instruct';
export const SLM_1_5B_LORA = 'qwen2.5-math-1.5b-instruct-lora-confidence';
export const SLM_7B = 'qwen2.5-math-7b-instruct';
export const GEMINI_FLASH = 'gemini-2.5-flash';
export const GEMINI_FLASH_LITE = 'gemini-2.5-flash-lite';
export const GEMINI_PRO = 'gemini-2.5-pro';

interface SingleModelRun {
  kind: 'single';
  model: string;
}

/** Delegation I: an orchestrator picks the SLM agent or the LLM agent per problem (`hand_off_model`). */
interface OrchestratedRun {
  kind: 'orchestrated';
  small: string;
  large: string;
  orchestrator: string;
}

/** Delegation II: keep the SLM answer on <|c_math|>, take the LLM's on <|u_math|> or no token (`confidence_token`). */
interface ConfidenceRoutedRun {
  kind: 'confidence-routed';
  small: string;
  large: string;
}

export type RecordedRunShape = SingleModelRun | OrchestratedRun | ConfidenceRoutedRun;

export interface RecordedRunDefinition {
  id: string;
  description: string;
  folder: string;
  file: string;
  format: 'results-json' | 'confidence-csv';
  shape: RecordedRunShape;
}

export const RECORDED_RUNS: readonly RecordedRunDefinition[] = [
  {
    id: 'qwen-1.5b',
    description: 'Qwen2.5-Math-1.5B-Instruct, base (HF generate, greedy, fp16, max_new_tokens 1024): "SLM 1.5B"',
    folder: 'qwen2.5-math-1.5b-instruct',
    file: 'results_slm.json',
    format: 'results-json',
    shape: { kind: 'single', model: SLM_1_5B },
  },
  {
    id: 'qwen-7b',
    description: 'Qwen2.5-Math-7B-Instruct, base: "SLM 7B"',
    folder: 'qwen2.5-math-7b-instruct',
    file: 'results_slm.json',
    format: 'results-json',
    shape: { kind: 'single', model: SLM_7B },
  },
  {
    id: 'qwen-1.5b-lora-confidence',
    description: 'Qwen2.5-Math-1.5B-Instruct + LoRA with confidence tokens (vLLM, temperature 0): the fine-tuned SLM',
    folder: 'qwen2.5-math-1.5b-instruct-lora-confidence',
    file: 'confidence_task_result_enhanced.csv',
    format: 'confidence-csv',
    shape: { kind: 'single', model: SLM_1_5B_LORA },
  },
  {
    id: 'gemini-flash',
    description: 'Gemini 2.5 Flash alone, temperature 0, thinking budget 2048: "LLM"',
    folder: 'gemini-2.5-flash',
    file: 'results_llm.json',
    format: 'results-json',
    shape: { kind: 'single', model: GEMINI_FLASH },
  },
  {
    id: 'gemini-flash-lite',
    description: 'Gemini 2.5 Flash-Lite alone',
    folder: 'gemini-2.5-flash-lite',
    file: 'results_llm.json',
    format: 'results-json',
    shape: { kind: 'single', model: GEMINI_FLASH_LITE },
  },
  {
    id: 'gemini-pro',
    description: 'Gemini 2.5 Pro alone',
    folder: 'gemini-2.5-pro',
    file: 'results_llm.json',
    format: 'results-json',
    shape: { kind: 'single', model: GEMINI_PRO },
  },
  {
    id: 'delegation-1-flash',
    description:
      'Delegation I: Flash-Lite orchestrator hands each problem to the SLM agent (vLLM Qwen2.5-Math-1.5B-Instruct) or Gemini 2.5 Flash',
    folder: 'delegation-I-router-flashlite-orchestrator_qwen1.5b_gemini-flash',
    file: 'results_router.json',
    format: 'results-json',
    shape: { kind: 'orchestrated', small: SLM_1_5B, large: GEMINI_FLASH, orchestrator: GEMINI_FLASH_LITE },
  },
  {
    id: 'delegation-2-flash',
    description: 'Delegation II: fine-tuned SLM keeps <|c_math|> answers, Gemini 2.5 Flash answers the rest',
    folder: 'delegation-II-confidence_qwen1.5b-lora_gemini-flash',
    file: 'results_router.json',
    format: 'results-json',
    shape: { kind: 'confidence-routed', small: SLM_1_5B_LORA, large: GEMINI_FLASH },
  },
  {
    id: 'delegation-1-flash-lite',
    description: 'Delegation I with Gemini 2.5 Flash-Lite as the large model (and orchestrator)',
    folder: 'delegation-router_qwen1.5b_gemini-flash-lite',
    file: 'results_router.json',
    format: 'results-json',
    shape: { kind: 'orchestrated', small: SLM_1_5B, large: GEMINI_FLASH_LITE, orchestrator: GEMINI_FLASH_LITE },
  },
  {
    id: 'delegation-2-flash-lite',
    description: 'Delegation II with Gemini 2.5 Flash-Lite as the large model',
    folder: 'delegation-confidence_qwen1.5b-lora_gemini-flash-lite',
    file: 'results_router.json',
    format: 'results-json',
    shape: { kind: 'confidence-routed', small: SLM_1_5B_LORA, large: GEMINI_FLASH_LITE },
  },
];
