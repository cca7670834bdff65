"""Where input comes from: files in the dags folder, git change sets and objects, the GitHub
pull-request event, and symlinks as the OS follows them."""
