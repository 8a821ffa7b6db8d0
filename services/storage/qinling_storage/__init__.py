"""Qinling storage service: owns package blobs and serves them over HTTP."""
