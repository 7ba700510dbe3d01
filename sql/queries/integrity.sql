select kind, object, name, detail from {schema}.integrity()
