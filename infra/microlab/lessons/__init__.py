"""What the course notebooks do in more than a few lines, one module per notebook topic, so
every notebook cell stays short and the logic is tested like the rest of the package."""
