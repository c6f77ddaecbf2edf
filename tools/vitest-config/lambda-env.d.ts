export declare const lambdaTestEnv: Readonly<Record<string, string>>;
