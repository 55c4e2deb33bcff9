# The shop's code on top of the offline python base (which holds the dependencies):
# rebuilt in seconds whenever labs/ or infra/microlab/ change.
ARG BASE
FROM ${BASE}
WORKDIR /app
COPY labs /app/labs
COPY microlab /app/microlab
# compiled at build time so that each container start does not redo it
RUN python -m compileall -q /app
ENV PYTHONPATH=/app SERVICE_PORT=8080
EXPOSE 8080
STOPSIGNAL SIGTERM
CMD ["python", "-m", "uvicorn", "labs.monolith.app:app", "--host", "0.0.0.0", "--port", "8080"]
