import type { HubApiError } from '@huggingface/hub';

export type HubLibrary = typeof import('@huggingface/hub');

let loaded: HubLibrary | undefined;

/**
 * `@huggingface/hub`, imported on first use: with blake3-jit and xetchunk-wasm it is about 450 KB of JavaScript that
 * every command importing `@confide/data` would otherwise load, though only the hub commands talk to the hub.
 */
export async function hubLibrary(): Promise<HubLibrary> {
  loaded ??= await import('@huggingface/hub');
  return loaded;
}

/**
 * Whether `error` is the library's HubApiError (a failed hub request). Only a request sent through
 * {@link hubLibrary} can throw one, so before the library is loaded nothing is one.
 */
export function isHubApiError(error: unknown): error is HubApiError {
  return loaded !== undefined && error instanceof loaded.HubApiError;
}
