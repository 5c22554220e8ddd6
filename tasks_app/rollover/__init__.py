"""Year rollover (结转): close a plan year and carry its unfinished tasks into the next."""
