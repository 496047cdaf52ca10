/**
 * Which Dockerfile each build was built from. Users often give only the Dockerfile they have now, or
 * none, while each build context they give holds the Dockerfile of its build (`docker build .` sends it).
 * So a build without a Dockerfile of its own is read with the one in its context, and a given Dockerfile
 * that is not the one in an earlier build's context does not hide an edit between the builds.
 */
import type { BuildCommand, ContextIndex, InputProblem } from '../model.ts';

export interface DockerfileText {
  name: string;
  text: string;
}

export interface DockerfileChoice {
  /** Empty (none known), one for every build, or one per build in order. */
  files: DockerfileText[];
  /** What was assumed, for the user to check. */
  notes: InputProblem[];
}

/** Line endings and trailing blanks do not make two Dockerfiles different. */
function sameText(a: string, b: string): boolean {
  const norm = (t: string) =>
    t
      .replace(/\r\n?/g, '\n')
      .replace(/[ \t]+$/gm, '')
      .trimEnd();
  return norm(a) === norm(b);
}

/**
 * The Dockerfile the build's command names (`-f` with a `.` context: exactly that path, or none), else the
 * context's root `Dockerfile`, else — when no `-f` was seen — its only Dockerfile-named file.
 */
function fromContext(context: ContextIndex | null, command: BuildCommand | null): DockerfileText | null {
  const found = context?.dockerfiles;
  if (!context || !found || found.length === 0) return null;
  const named = command?.file && (command.context === null || command.context === '.') ? command.file.replace(/^(\.\/)+/, '') : null;
  const root = () => found.find((f) => f.path === 'Dockerfile') ?? found.find((f) => f.path.toLowerCase() === 'dockerfile');
  const pick = named ? found.find((f) => f.path === named) : (root() ?? (!command?.file && found.length === 1 ? found[0] : undefined));
  return pick ? { name: `${context.source}:${pick.path}`, text: pick.text } : null;
}

/**
 * `given`: the Dockerfiles the user gave; `contexts` and `commands`: one per build, in build order.
 */
export function dockerfilesPerBuild(given: DockerfileText[], contexts: (ContextIndex | null)[], commands: (BuildCommand | null)[]): DockerfileChoice {
  if (given.length >= 2) return { files: given, notes: [] };
  const inContexts = contexts.map((context, i) => fromContext(context, commands[i] ?? null));
  const known = inContexts.filter((f): f is DockerfileText => f !== null);

  if (given.length === 0) {
    if (known.length === 0) return { files: [], notes: [] };
    const files = inContexts.map((f, i) => f ?? inContexts[i === 0 ? 1 : i - 1] ?? known[0]!);
    return {
      files,
      notes: [
        {
          input: 'Dockerfile',
          message: `No Dockerfile was given: ${files.map((f, i) => `build ${i + 1} is read with ${f.name}`).join(', ')}.`,
          hint: 'If a build used another Dockerfile (docker build -f …), give that file too, one per build in order.',
        },
      ],
    };
  }

  const only = given[0]!;
  const differing = inContexts.map((f) => (f && !sameText(f.text, only.text) ? f : null));
  if (differing.every((f) => f === null)) return { files: given, notes: [] };
  const givenIsABuilds = inContexts.some((f) => f !== null && sameText(f.text, only.text));
  if (!givenIsABuilds) {
    return {
      files: given,
      notes: differing.flatMap((f, i) =>
        f
          ? [
              {
                input: only.name,
                message: `${only.name} differs from ${f.name}, the Dockerfile in build ${i + 1}'s context; every build is read with ${only.name}.`,
                hint: `If build ${i + 1} was built from ${f.name}, give it too (one Dockerfile per build, in the order of the logs).`,
              },
            ]
          : [],
      ),
    };
  }
  // The given Dockerfile is one build's: the others that differ are read with their own.
  const files = differing.map((f) => f ?? only);
  return {
    files,
    notes: differing.flatMap((f, i) =>
      f
        ? [
            {
              input: only.name,
              message: `${f.name} differs from ${only.name}: build ${i + 1} is read with the Dockerfile from its context, so an edit between the builds is seen.`,
            },
          ]
        : [],
    ),
  };
}
