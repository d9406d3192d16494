"""Results: JSON pages decoded into Arrow, fetch scheduling, Arrow to Python rows and frames."""
