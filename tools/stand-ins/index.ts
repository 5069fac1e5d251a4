export * from './billing.js';
export * from './default-responder.js';
export * from './fault-plan.js';
export * from './gemini-stand-in.js';
export * from './openai-stand-in.js';
export * from './stand-in-server.js';
export * from './verifier-responder.js';
