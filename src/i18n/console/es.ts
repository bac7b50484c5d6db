import type { ConsoleMessages } from './en.ts';

export const esConsole: ConsoleMessages = {
};
