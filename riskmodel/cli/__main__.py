from riskmodel.cli import run

run()
