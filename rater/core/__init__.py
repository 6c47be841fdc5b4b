"""Pure logic: no Qt, no SQL, no sound devices."""
