FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
WORKDIR /app

# WeasyPrint, which lays the stocktaking report out as a PDF, draws with Pango and HarfBuzz; its stylesheet names
# DejaVu Sans first and Liberation Sans after it (static/css/report-pdf.css).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# The portal serves its static files itself (WhiteNoise), from what is collected here: compressed, with hashed names.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input

RUN useradd --create-home portal
USER portal
EXPOSE 8000
# gunicorn.conf.py: threaded workers, so a long streamed download is not cut off at the worker timeout.
CMD ["gunicorn", "asem_portal.wsgi:application"]
