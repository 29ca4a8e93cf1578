"""Running Hark: the scheduler, HTTP and Socket Mode, logs, metrics, the doctor."""
