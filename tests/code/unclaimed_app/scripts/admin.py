import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    subprocess.run("backup " + request.args["target"], shell=True)
    return "ok"
