# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kctl_global_optspecs
    string join \n kubeconfig= context= n/namespace= v/v= h/help V/version
end

function __fish_kctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kctl_using_subcommand
    set -l cmd (__fish_kctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kctl -n "__fish_kctl_needs_command" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_needs_command" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_needs_command" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_needs_command" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_needs_command" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "get" -d 'Display one or many resources'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "describe" -d 'Show details of a specific resource or group of resources'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "apply" -d 'Apply a configuration to a resource by file name or stdin'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "create" -d 'Create a resource from a file or from stdin'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "delete" -d 'Delete resources by file names, stdin, resources and names, or by resources and label selector'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "run" -d 'Run a particular image on the cluster'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "logs" -d 'Print the logs for a container in a pod'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "rollout" -d 'Manage the rollout of a resource'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "set" -d 'Set specific features on objects'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "scale" -d 'Set a new size for a deployment, replica set, or replication controller'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "label" -d 'Update the labels on a resource'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "annotate" -d 'Update the annotations on a resource'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "patch" -d 'Update fields of a resource'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "edit" -d 'Edit a resource on the server'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "wait" -d 'Wait for a specific condition on one or many resources'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "config" -d 'Modify kubeconfig files'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "version" -d 'Print the client and server version information'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "api-resources" -d 'Print the supported API resources on the server'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "cluster" -d 'Create, delete and list local clusters (kind-compatible)'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "completion" -d 'Output shell completion code for the specified shell'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "server" -d 'Run kctl\'s control plane (apiserver, store, controllers, scheduler) on this machine'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "node" -d 'Run one cluster node: the control plane and/or a kubelet (inside a node container)'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand get" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand create" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand create" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand create" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand create" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand run" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand rollout" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand set" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand set" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand set" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand set" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand label" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand server" -l data-dir -d 'Where the store, certificates and state live (default ~/.kctl/server)' -r -F
complete -c kctl -n "__fish_kctl_using_subcommand server" -l listen -d 'Address of the HTTPS API (port 0 picks a free port)' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l write-kubeconfig -d 'Write an admin kubeconfig for this server to PATH' -r -F
complete -c kctl -n "__fish_kctl_using_subcommand server" -l etcd-servers -d 'Use these etcd endpoints (comma-separated) instead of the embedded store' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l tls-san -d 'Extra names or IPs for the serving certificate' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l hollow-nodes -d 'Register N simulated nodes that run pods without containers (like kwok)' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l hollow-failing-images -d 'Images that hollow nodes fail to pull (comma-separated)' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l node-monitor-grace-period -d 'How long a node may stay silent before it is marked unreachable' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l pod-eviction-timeout -d 'How long pods stay on an unreachable node before they are evicted' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l etcd-compaction-interval -d 'How often history older than one interval is compacted (e.g. 5m, 30s, 1s)' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l apiserver-only -d 'Run only the apiserver: no controllers, no scheduler'
complete -c kctl -n "__fish_kctl_using_subcommand server" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand node" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "get" -d 'Display one or many resources'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "describe" -d 'Show details of a specific resource or group of resources'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "apply" -d 'Apply a configuration to a resource by file name or stdin'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "create" -d 'Create a resource from a file or from stdin'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "delete" -d 'Delete resources by file names, stdin, resources and names, or by resources and label selector'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "run" -d 'Run a particular image on the cluster'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "logs" -d 'Print the logs for a container in a pod'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "rollout" -d 'Manage the rollout of a resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "set" -d 'Set specific features on objects'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "scale" -d 'Set a new size for a deployment, replica set, or replication controller'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "label" -d 'Update the labels on a resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "annotate" -d 'Update the annotations on a resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "patch" -d 'Update fields of a resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "edit" -d 'Edit a resource on the server'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "wait" -d 'Wait for a specific condition on one or many resources'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "config" -d 'Modify kubeconfig files'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "version" -d 'Print the client and server version information'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "api-resources" -d 'Print the supported API resources on the server'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "cluster" -d 'Create, delete and list local clusters (kind-compatible)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "completion" -d 'Output shell completion code for the specified shell'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "server" -d 'Run kctl\'s control plane (apiserver, store, controllers, scheduler) on this machine'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "node" -d 'Run one cluster node: the control plane and/or a kubelet (inside a node container)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run logs rollout set scale label annotate patch edit wait config version api-resources cluster completion server node help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
