"""督查督办: urges (催办), supervision notices (督办单) and leader instructions (领导批示)."""
