// The one error a command raises for bad flags or arguments: the CLI prints its message with a
// pointer to --help and exits with status 2 (no stack trace).
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
