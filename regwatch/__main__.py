from regwatch.cli import app

app(prog_name="regwatch")
