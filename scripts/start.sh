#!/usr/bin/env bash
# Set everything up (first time: a virtualenv in .venv, about 2.7 GB) and start the app.
#   bash scripts/start.sh [-- --data path/to/mnist.npz]
source "$(dirname "$0")/venv.sh" requirements.txt
echo "Starting the app: open http://localhost:8501 (Ctrl+C stops it)."
exec streamlit run streamlit_app.py "$@"
