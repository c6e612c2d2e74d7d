"""The parts of the main screen (the job list and the open job's detail), one concept each."""
