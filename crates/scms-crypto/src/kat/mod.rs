pub fn embedded() {}
