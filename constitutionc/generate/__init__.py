"""`constitutionc generate`: the model stage that turns a planned build into model-written records."""
