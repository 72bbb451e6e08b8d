/** `T` with its readonly fields writable: for an object filled in step by step, or updated in place. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
