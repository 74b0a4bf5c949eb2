//! The audience commands (a few lines each: DTO in, engine call, DTO out).
