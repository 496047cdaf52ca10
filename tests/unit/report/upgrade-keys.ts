/** The field names of a report JSON, for the checks that the public JSON is snake_case throughout. */

/**
 * Maps whose keys are the user's data, not field names: a build arg is named as the user wrote it
 * (`--build-arg NEXT_PUBLIC_API_URL=…`). Their keys are not checked; their values are.
 */
export const USER_DATA_MAPS = ['commands[].command.build_args'];

/** A field name of the public JSON: lower-case words joined by `_`. */
export const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** Every `path.key` of `value` (`builds[].builder.digest_lines`), keys of USER_DATA_MAPS left out. */
export function keyPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keyPaths(item, `${path}[]`));
  if (value === null || typeof value !== 'object') return [];
  const userData = USER_DATA_MAPS.includes(path);
  return Object.entries(value).flatMap(([key, field]) => {
    const at = path === '' ? key : `${path}.${key}`;
    return userData ? keyPaths(field, at) : [at, ...keyPaths(field, at)];
  });
}

/** The paths whose last key is not snake_case, once each. */
export function notSnakeCase(value: unknown): string[] {
  return [
    ...new Set(
      keyPaths(value).filter(
        (path) =>
          !SNAKE_CASE.test(
            path
              .split(/\.|\[\]/)
              .filter(Boolean)
              .pop() ?? '',
          ),
      ),
    ),
  ];
}
