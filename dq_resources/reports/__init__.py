"""Reports people open: ydata-profiling's HTML and JSON, and where report files are kept."""
