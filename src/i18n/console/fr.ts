import type { ConsoleMessages } from './en.ts';

export const frConsole: ConsoleMessages = {
};
