/** Entry point of the `cachewhy` CLI (Node only). Returns the exit code; never throws to the shell. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const USAGE = `usage: cachewhy [--json | --markdown | --link [--base URL]] FILE...

Give the build logs in chronological order (earlier build first), plus any Dockerfile(s),
.dockerignore, build contexts (.tar, .tar.gz or a folder) and build-command files.
Every file is recognised by its content, not its name.
`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    io.stdout(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  io.stderr('cachewhy: nothing implemented yet\n');
  return 2;
}
