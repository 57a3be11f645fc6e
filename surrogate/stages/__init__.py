"""The stage layer: the body of every command, one module per concern, each registering
its own sub-parsers (`register(subparsers)`). Above the model, the engines and the
analysis; below the face (`surrogate.cli`). Heavy dependencies are imported inside
the command functions, so building the parser stays light."""
