let draining = false
/** Set on SIGTERM: the instance refuses new sockets and reports not-ready. */
export const isShuttingDown = () => draining
export const startShutdown = () => { draining = true }
