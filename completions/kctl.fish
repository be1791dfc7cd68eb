# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kctl_global_optspecs
    string join \n kubeconfig= context= n/namespace= v/v= cluster= user= s/server= token= insecure-skip-tls-verify request-timeout= h/help V/version
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
complete -c kctl -n "__fish_kctl_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_needs_command" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_needs_command" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_needs_command" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_needs_command" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_needs_command" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_needs_command" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "get" -d 'Display one or many resources'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "describe" -d 'Show details of a specific resource or group of resources'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "apply" -d 'Apply a configuration to a resource by file name or stdin'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "create" -d 'Create a resource from a file or from stdin'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "delete" -d 'Delete resources by file names, stdin, resources and names, or by resources and label selector'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "run" -d 'Run a particular image on the cluster'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "expose" -d 'Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service'
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
complete -c kctl -n "__fish_kctl_needs_command" -f -a "api-versions" -d 'Print the supported API versions on the server, in the form of "group/version"'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "cluster-info" -d 'Display cluster information'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "cluster" -d 'Create, delete and list local clusters (kind-compatible)'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "completion" -d 'Output shell completion code for the specified shell'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "server" -d 'Run kctl\'s control plane (apiserver, store, controllers, scheduler) on this machine'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "node" -d 'Run one cluster node: the control plane and/or a kubelet (inside a node container)'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand get" -s o -l output -d 'Output format: json, yaml, name, wide, jsonpath=…, custom-columns=…' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -s l -l selector -d 'Selector (label query) to filter on' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l field-selector -d 'Selector (field query) to filter on' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -s L -l label-columns -d 'Labels to present as columns (comma-separated or repeated)' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l sort-by -d 'Sort list types using this field specification (a JSONPath expression)' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l chunk-size -d 'Return large lists in chunks rather than all at once (0 disables)' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l raw -d 'Raw URI to request from the server' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand get" -s A -l all-namespaces -d 'List the requested object(s) across all namespaces'
complete -c kctl -n "__fish_kctl_using_subcommand get" -s w -l watch -d 'After listing/getting the requested object, watch for changes'
complete -c kctl -n "__fish_kctl_using_subcommand get" -l watch-only -d 'Watch for changes to the requested object(s), without listing/getting first'
complete -c kctl -n "__fish_kctl_using_subcommand get" -l show-labels -d 'When printing, show all labels as the last column'
complete -c kctl -n "__fish_kctl_using_subcommand get" -l no-headers -d 'When using the default or custom-column output format, don\'t print headers'
complete -c kctl -n "__fish_kctl_using_subcommand get" -l show-kind -d 'List the resource type for the requested object(s)'
complete -c kctl -n "__fish_kctl_using_subcommand get" -l ignore-not-found -d 'If the requested object does not exist the command will return exit code 0'
complete -c kctl -n "__fish_kctl_using_subcommand get" -l show-managed-fields -d 'If true, keep the managedFields when printing objects in JSON or YAML format'
complete -c kctl -n "__fish_kctl_using_subcommand get" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand get" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand describe" -s l -l selector -d 'Selector (label query) to filter on' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l show-events -d 'If true, display events related to the described object' -r -f -a "true\t''
false\t''"
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l chunk-size -d 'Return large lists in chunks rather than all at once' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand describe" -s A -l all-namespaces -d 'List the requested object(s) across all namespaces'
complete -c kctl -n "__fish_kctl_using_subcommand describe" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand describe" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s f -l filename -d 'The files that contain the configurations to apply' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l field-manager -d 'Name of the manager used to track field ownership' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s o -l output -d 'Output format: json, yaml or name' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l validate -d 'Schema validation: strict, warn, ignore (the server validates fields)' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s R -l recursive -d 'Process the directory used in -f, --filename recursively'
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l server-side -d 'If true, apply runs in the server instead of the client'
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l force-conflicts -d 'If true, server-side apply will force the changes against conflicts'
complete -c kctl -n "__fish_kctl_using_subcommand apply" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand apply" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -s f -l filename -d 'Files that contain the configuration to create' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -s o -l output -d 'Output format: json, yaml or name' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l field-manager -d 'Name of the manager used to track field ownership' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l validate -d 'Schema validation: strict, warn, ignore (the server validates fields)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -s R -l recursive -d 'Process the directory used in -f, --filename recursively'
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -f -a "deployment" -d 'Create a deployment with the specified name'
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -f -a "namespace" -d 'Create a namespace with the specified name'
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -f -a "configmap" -d 'Create a config map from a local file, directory or literal value'
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -f -a "secret" -d 'Create a secret using a specified subcommand'
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -f -a "job" -d 'Create a job with the specified name'
complete -c kctl -n "__fish_kctl_using_subcommand create; and not __fish_seen_subcommand_from deployment namespace configmap secret job help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l image -d 'Image names to run (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -s r -l replicas -d 'Number of replicas to create' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l port -d 'The containerPort that this deployment exposes' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -s o -l output -d 'Output format: json, yaml or name' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l field-manager -d 'Name of the manager used to track field ownership' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l validate -d 'Schema validation: strict, warn, ignore (the server validates fields)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from deployment" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -s o -l output -d 'Output format: json, yaml or name' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l field-manager -d 'Name of the manager used to track field ownership' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l validate -d 'Schema validation: strict, warn, ignore (the server validates fields)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from namespace" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l from-literal -d 'Key and literal value (key=value, repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l from-file -d 'Key file (path, or key=path, repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -s o -l output -d 'Output format: json, yaml or name' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l field-manager -d 'Name of the manager used to track field ownership' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l validate -d 'Schema validation: strict, warn, ignore (the server validates fields)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from configmap" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -s o -l output -d 'Output format: json, yaml or name' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l field-manager -d 'Name of the manager used to track field ownership' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l validate -d 'Schema validation: strict, warn, ignore (the server validates fields)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -f -a "generic" -d 'Create a secret from a local file, directory, or literal value'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from secret" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l image -d 'Image name to run' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -s o -l output -d 'Output format: json, yaml or name' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l field-manager -d 'Name of the manager used to track field ownership' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l validate -d 'Schema validation: strict, warn, ignore (the server validates fields)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from job" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "deployment" -d 'Create a deployment with the specified name'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "namespace" -d 'Create a namespace with the specified name'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "configmap" -d 'Create a config map from a local file, directory or literal value'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "secret" -d 'Create a secret using a specified subcommand'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "job" -d 'Create a job with the specified name'
complete -c kctl -n "__fish_kctl_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s f -l filename -d 'Files containing the resources to delete' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s l -l selector -d 'Selector (label query) to filter on' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l field-selector -d 'Selector (field query) to filter on' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l grace-period -d 'Period of time in seconds given to the resource to terminate gracefully (-1: the type\'s default)' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l cascade -d '"background", "orphan", or "foreground"' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l wait -d 'If true, wait for resources to be gone before returning' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l timeout -d 'The length of time to wait before giving up on a delete (0: a week)' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s o -l output -d 'Output mode: "name" prints `kind/name`' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s R -l recursive -d 'Process the directory used in -f, --filename recursively'
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l all -d 'Delete all resources, in the namespace of the specified resource types'
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s A -l all-namespaces -d 'If present, list the requested object(s) across all namespaces'
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l force -d 'Immediately remove resources from the API and bypass graceful deletion'
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l now -d 'If true, resources are signaled for immediate shutdown (same as --grace-period=1)'
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l ignore-not-found -d 'Treat "resource not found" as a successful delete'
complete -c kctl -n "__fish_kctl_using_subcommand delete" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand delete" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand run" -l image -d 'The image for the container to run' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l port -d 'The port that this container exposes' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l env -d 'Environment variables to set in the container (KEY=VALUE, repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -s l -l labels -d 'Comma separated labels to apply to the pod. Will override the default run=NAME label' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l annotations -d 'Annotations to apply to the pod (KEY=VALUE, repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l restart -d 'The restart policy for this Pod: Always, OnFailure or Never' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l image-pull-policy -d 'The image pull policy for the container' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -s o -l output -d 'Output format: json, yaml or name' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand run" -l command -d 'If true and extra arguments are present, use them as the \'command\' field in the container'
complete -c kctl -n "__fish_kctl_using_subcommand run" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand run" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand expose" -s f -l filename -d 'Filename, directory, or URL to files identifying the resource to expose a service' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l port -d 'The port that the service should serve on. Copied from the resource being exposed, if unspecified' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l target-port -d 'Name or number for the port on the container that the service should direct traffic to' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l protocol -d 'The network protocol for the service to be created. Default is \'TCP\'' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l name -d 'The name for the newly created object' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l type -d 'Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l selector -d 'A label selector to use for this service (equality-based only)' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -s l -l labels -d 'Labels to apply to the service created by this call' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l external-ip -d 'Additional external IP address (not managed by Kubernetes) to accept for the service' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l load-balancer-ip -d 'IP to assign to the LoadBalancer' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l session-affinity -d 'If non-empty, set the session affinity for the service to this; legal values: \'None\', \'ClientIP\'' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l cluster-ip -d 'ClusterIP to be assigned to the service (\'None\' for a headless service)' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l dry-run -d 'Must be "none", "server", or "client"' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -s o -l output -d 'Output format: json, yaml or name' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l field-manager -d 'Name of the manager used to track field ownership' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand expose" -s R -l recursive -d 'Process the directory used in -f, --filename recursively'
complete -c kctl -n "__fish_kctl_using_subcommand expose" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand expose" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s c -l container -d 'Print the logs of this container' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l tail -d 'Lines of recent log file to display. Defaults to -1 with no selector, 10 with a selector' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l since -d 'Only return logs newer than a relative duration like 5s, 2m, or 3h' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l since-time -d 'Only return logs after a specific date (RFC3339)' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s l -l selector -d 'Selector (label query) to filter on' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l limit-bytes -d 'Maximum bytes of logs to return' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l max-log-requests -d 'Maximum number of concurrent logs to follow when using a selector' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l all-containers -d 'Get all containers\' logs in the pod(s)'
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s f -l follow -d 'Specify if the logs should be streamed'
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s p -l previous -d 'If true, print the logs for the previous instance of the container in a pod if it exists'
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l timestamps -d 'Include timestamps on each line in the log output'
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l prefix -d 'Prefix each log line with the log source (pod name and container name)'
complete -c kctl -n "__fish_kctl_using_subcommand logs" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand logs" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -f -a "status" -d 'Show the status of the rollout'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -f -a "history" -d 'View rollout history'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -f -a "undo" -d 'Undo a previous rollout'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -f -a "restart" -d 'Restart a resource'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -f -a "pause" -d 'Mark the provided resource as paused'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -f -a "resume" -d 'Resume a paused resource'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and not __fish_seen_subcommand_from status history undo restart pause resume help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -s w -l watch -d 'Watch the status of the rollout until it\'s done' -r -f -a "true\t''
false\t''"
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -l revision -d 'Pin to a specific revision for showing its status. Defaults to 0 (last revision)' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -l timeout -d 'The length of time to wait before ending watch, zero means never' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -l revision -d 'See the details, including podTemplate of the revision specified' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l to-revision -d 'The revision to rollback to. Default to 0 (last revision)' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from undo" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the status of the rollout'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "history" -d 'View rollout history'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "undo" -d 'Undo a previous rollout'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Restart a resource'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Mark the provided resource as paused'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Resume a paused resource'
complete -c kctl -n "__fish_kctl_using_subcommand rollout; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -f -a "image" -d 'Update the image of a pod template'
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -f -a "env" -d 'Update environment variables on a pod template'
complete -c kctl -n "__fish_kctl_using_subcommand set; and not __fish_seen_subcommand_from image env help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -s l -l selector -d 'Selector (label query) to filter on' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -l all -d 'Select all resources, in the namespace of the specified resource types'
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from image" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -s c -l containers -d 'The names of containers in the selected pod templates to change (wildcards allowed)' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -s e -l env -d 'Environment variables to set in the form NAME=VALUE' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -l list -d 'If true, print the environment variables (not built yet)'
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from env" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from help" -f -a "image" -d 'Update the image of a pod template'
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from help" -f -a "env" -d 'Update environment variables on a pod template'
complete -c kctl -n "__fish_kctl_using_subcommand set; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l replicas -d 'The new desired number of replicas. Required' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l current-replicas -d 'Precondition for current size. Requires that the current size of the resource match this value in order to scale' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l resource-version -d 'Precondition for resource version' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand scale" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand scale" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand label" -s l -l selector -d 'Selector (label query) to filter on' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -l resource-version -d 'If non-empty, the update will only succeed if this is the current resource-version' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand label" -l overwrite -d 'If true, allow labels/annotations to be overwritten'
complete -c kctl -n "__fish_kctl_using_subcommand label" -l all -d 'Select all resources, in the namespace of the specified resource types'
complete -c kctl -n "__fish_kctl_using_subcommand label" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand label" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -s l -l selector -d 'Selector (label query) to filter on' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l resource-version -d 'If non-empty, the update will only succeed if this is the current resource-version' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l overwrite -d 'If true, allow labels/annotations to be overwritten'
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l all -d 'Select all resources, in the namespace of the specified resource types'
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand annotate" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand patch" -s p -l patch -d 'The patch to be applied to the resource JSON file' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l patch-file -d 'A file containing a patch to be applied to the resource' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l type -d 'The type of patch being provided; one of [json merge strategic]' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l subresource -d 'If specified, patch will operate on the subresource of the requested object' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand patch" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand patch" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s f -l filename -d 'Filename, directory, or URL to files to use to edit the resource' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s o -l output -d 'Output format. One of: (json, yaml)' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l field-manager -d 'Name of the manager used to track field ownership' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l validate -d 'Schema validation: strict, warn, ignore (the server validates fields)' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l subresource -d 'If specified, edit will operate on the subresource of the requested object (status)' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s R -l recursive -d 'Process the directory used in -f, --filename recursively'
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l output-patch -d 'Output the patch if the resource is edited'
complete -c kctl -n "__fish_kctl_using_subcommand edit" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand edit" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l for -d 'The condition to wait on: [delete|condition=condition-name[=condition-value]|jsonpath=\'{JSONPath expression}\'=[JSONPath value]]' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l timeout -d 'The length of time to wait before giving up' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand wait" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand wait" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "view" -d 'Display merged kubeconfig settings or a specified kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "get-contexts" -d 'Describe one or many contexts'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "current-context" -d 'Display the current-context'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "use-context" -d 'Set the current-context in a kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "set-context" -d 'Set a context entry in kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "delete-context" -d 'Delete the specified context from the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "rename-context" -d 'Rename a context from the kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "get-clusters" -d 'Display clusters defined in the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "get-users" -d 'Display users defined in the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "delete-cluster" -d 'Delete the specified cluster from the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "delete-user" -d 'Delete the specified user from the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "set-cluster" -d 'Set a cluster entry in kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "set-credentials" -d 'Set a user entry in kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "set" -d 'Set an individual value in a kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "unset" -d 'Unset an individual value in a kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and not __fish_seen_subcommand_from view get-contexts current-context use-context set-context delete-context rename-context get-clusters get-users delete-cluster delete-user set-cluster set-credentials set unset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l merge -d 'Merge the full hierarchy of kubeconfig files' -r -f -a "true\t''
false\t''"
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -s o -l output -d 'Output format. One of: (json, yaml)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l minify -d 'Remove all information not used by current-context from the output'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l raw -d 'Display raw byte data and sensitive data'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l flatten -d 'Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from view" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -s o -l output -d 'Output format. One of: (name)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -l no-headers -d 'When using the default output format, don\'t print headers'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-contexts" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from current-context" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from use-context" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -l cluster -d 'cluster for the context entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -l user -d 'user for the context entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -l current -d 'Modify the current context'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-context" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-context" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from rename-context" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-clusters" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from get-users" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-cluster" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from delete-user" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l server -d 'server for the cluster entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l tls-server-name -d 'tls-server-name for the cluster entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l insecure-skip-tls-verify -d 'insecure-skip-tls-verify for the cluster entry in kubeconfig' -r -f -a "true\t''
false\t''"
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l certificate-authority -d 'Path to certificate-authority file for the cluster entry in kubeconfig' -r -F
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l embed-certs -d 'embed-certs for the cluster entry in kubeconfig' -r -f -a "true\t''
false\t''"
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l proxy-url -d 'proxy-url for the cluster entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-cluster" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l client-certificate -d 'Path to client-certificate file for the user entry in kubeconfig' -r -F
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l client-key -d 'Path to client-key file for the user entry in kubeconfig' -r -F
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l token -d 'token for the user entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l username -d 'username for the user entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l password -d 'password for the user entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l auth-provider -d 'Auth provider for the user entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l auth-provider-arg -d '\'key=value\' arguments for the auth provider' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l exec-command -d 'Command for the exec credential plugin for the user entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l exec-api-version -d 'API version of the exec credential plugin for the user entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l exec-arg -d 'New arguments for the exec credential plugin command for the user entry in kubeconfig' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l exec-env -d '\'key=value\' environment values for the exec credential plugin' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l embed-certs -d 'Embed client cert/key for the user entry in kubeconfig' -r -f -a "true\t''
false\t''"
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set-credentials" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -l set-raw-bytes -d 'When writing a []byte PROPERTY_VALUE, write the given string directly without base64 decoding' -r -f -a "true\t''
false\t''"
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from unset" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "view" -d 'Display merged kubeconfig settings or a specified kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get-contexts" -d 'Describe one or many contexts'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "current-context" -d 'Display the current-context'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "use-context" -d 'Set the current-context in a kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set-context" -d 'Set a context entry in kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "delete-context" -d 'Delete the specified context from the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "rename-context" -d 'Rename a context from the kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get-clusters" -d 'Display clusters defined in the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get-users" -d 'Display users defined in the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "delete-cluster" -d 'Delete the specified cluster from the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "delete-user" -d 'Delete the specified user from the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set-cluster" -d 'Set a cluster entry in kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set-credentials" -d 'Set a user entry in kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set an individual value in a kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "unset" -d 'Unset an individual value in a kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand version" -s o -l output -d 'One of \'yaml\' or \'json\'' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand version" -l client -d 'If true, shows client version only (no server required)'
complete -c kctl -n "__fish_kctl_using_subcommand version" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand version" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l api-group -d 'Limit to resources in the specified API group' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l namespaced -d 'If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default' -r -f -a "true\t''
false\t''"
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -s o -l output -d 'Output format. One of: (wide, name)' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l verbs -d 'Limit to resources that support the specified verbs' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l sort-by -d 'If non-empty, sort list of resources using specified field. One of \'name\' or \'kind\'' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l no-headers -d 'When using the default or custom-column output format, don\'t print headers'
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l cached -d 'Use the cached list of resources if available'
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand api-resources" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand api-versions" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand cluster-info" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand cluster" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand completion" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
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
complete -c kctl -n "__fish_kctl_using_subcommand server" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand server" -l apiserver-only -d 'Run only the apiserver: no controllers, no scheduler'
complete -c kctl -n "__fish_kctl_using_subcommand server" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand server" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand node" -l kubeconfig -d 'Path to the kubeconfig file to use for CLI requests' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -s n -l namespace -d 'If present, the namespace scope for this CLI request' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -s v -l v -d 'Number for the log level verbosity' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -s s -l server -d 'The address and port of the Kubernetes API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -l token -d 'Bearer token for authentication to the API server' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -l request-timeout -d 'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout)' -r
complete -c kctl -n "__fish_kctl_using_subcommand node" -l insecure-skip-tls-verify -d 'If true, the server\'s certificate will not be checked for validity'
complete -c kctl -n "__fish_kctl_using_subcommand node" -s h -l help -d 'Print help'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "get" -d 'Display one or many resources'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "describe" -d 'Show details of a specific resource or group of resources'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "apply" -d 'Apply a configuration to a resource by file name or stdin'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "create" -d 'Create a resource from a file or from stdin'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "delete" -d 'Delete resources by file names, stdin, resources and names, or by resources and label selector'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "run" -d 'Run a particular image on the cluster'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "expose" -d 'Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "logs" -d 'Print the logs for a container in a pod'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "rollout" -d 'Manage the rollout of a resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "set" -d 'Set specific features on objects'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "scale" -d 'Set a new size for a deployment, replica set, or replication controller'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "label" -d 'Update the labels on a resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "annotate" -d 'Update the annotations on a resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "patch" -d 'Update fields of a resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "edit" -d 'Edit a resource on the server'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "wait" -d 'Wait for a specific condition on one or many resources'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "config" -d 'Modify kubeconfig files'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "version" -d 'Print the client and server version information'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "api-resources" -d 'Print the supported API resources on the server'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "api-versions" -d 'Print the supported API versions on the server, in the form of "group/version"'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "cluster-info" -d 'Display cluster information'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "cluster" -d 'Create, delete and list local clusters (kind-compatible)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "completion" -d 'Output shell completion code for the specified shell'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "server" -d 'Run kctl\'s control plane (apiserver, store, controllers, scheduler) on this machine'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "node" -d 'Run one cluster node: the control plane and/or a kubelet (inside a node container)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from get describe apply create delete run expose logs rollout set scale label annotate patch edit wait config version api-resources api-versions cluster-info cluster completion server node help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from create" -f -a "deployment" -d 'Create a deployment with the specified name'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from create" -f -a "namespace" -d 'Create a namespace with the specified name'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from create" -f -a "configmap" -d 'Create a config map from a local file, directory or literal value'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from create" -f -a "secret" -d 'Create a secret using a specified subcommand'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from create" -f -a "job" -d 'Create a job with the specified name'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "status" -d 'Show the status of the rollout'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "history" -d 'View rollout history'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "undo" -d 'Undo a previous rollout'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "restart" -d 'Restart a resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "pause" -d 'Mark the provided resource as paused'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from rollout" -f -a "resume" -d 'Resume a paused resource'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from set" -f -a "image" -d 'Update the image of a pod template'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from set" -f -a "env" -d 'Update environment variables on a pod template'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "view" -d 'Display merged kubeconfig settings or a specified kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get-contexts" -d 'Describe one or many contexts'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "current-context" -d 'Display the current-context'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "use-context" -d 'Set the current-context in a kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set-context" -d 'Set a context entry in kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "delete-context" -d 'Delete the specified context from the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "rename-context" -d 'Rename a context from the kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get-clusters" -d 'Display clusters defined in the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get-users" -d 'Display users defined in the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "delete-cluster" -d 'Delete the specified cluster from the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "delete-user" -d 'Delete the specified user from the kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set-cluster" -d 'Set a cluster entry in kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set-credentials" -d 'Set a user entry in kubeconfig'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Set an individual value in a kubeconfig file'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "unset" -d 'Unset an individual value in a kubeconfig file'
