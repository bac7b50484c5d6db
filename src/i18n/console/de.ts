import type { ConsoleMessages } from './en.ts';

export const deConsole: ConsoleMessages = {
};
