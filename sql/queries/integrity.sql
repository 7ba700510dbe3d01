select kind, object, detail from {schema}.integrity()
