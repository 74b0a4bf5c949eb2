// Turns a generated command's result into a value or a thrown BackendError.
import { BackendError } from "./index";

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: unknown };

/** Turns a command's result object into a value or a thrown BackendError. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (error) {
    // Tauri itself failed (unknown command, bad argument): not one of our codes.
    throw BackendError.from(error);
  }
  if (outcome.status === "error") throw BackendError.from(outcome.error);
  return outcome.data;
}
