import { InvalidConfigError } from '@confide/core';
import { z } from 'zod';

/** The name of an environment variable that holds an API key. Configs name the variable, never the key. */
export const ApiKeyVariable = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable, e.g. GEMINI_API_KEY (never the key itself)');

/** Reads an API key from the environment; a missing one fails naming the variable (never printing a value). */
export function apiKeyFromEnvironment(variable: string, environment: NodeJS.ProcessEnv = process.env): string {
  const value = environment[variable];
  if (value === undefined || value.trim() === '') {
    throw new InvalidConfigError(`the API key variable ${variable} is not set in the environment`);
  }
  return value.trim();
}
