"""The local Data Cloud: Salesforce Data Cloud's APIs served over HTTP on the Hyper engine."""
