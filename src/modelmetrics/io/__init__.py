"""Readers and writers: tables (CSV/NPY), COCO JSON, job-state files; atomic writes."""
