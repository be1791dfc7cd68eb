complete --keep-order --exclusive --command kctl --arguments "(KCTL_COMPLETE=fish kctl -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
