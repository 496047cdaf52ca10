/**
 * Readers phrase a problem as a sentence about its input ("b.log is empty."); where the input's name is
 * shown next to it (`b.log: …`), the name is said once.
 */
import type { InputProblem } from './model.ts';

export function ownMessage(problem: InputProblem): string {
  return problem.message.startsWith(`${problem.input} `) ? problem.message.slice(problem.input.length + 1) : problem.message;
}
