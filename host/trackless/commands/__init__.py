"""One module per ``trackless`` sub-command (see ``trackless.cli.COMMANDS``)."""
