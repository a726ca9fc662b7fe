"""One partition of a table: the rows a check reads when it checks that partition alone."""
