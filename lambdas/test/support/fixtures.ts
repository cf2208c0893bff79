import type { Ec2Pool, FargatePool } from "../../src/shared/pools.ts";

/** A spot pool with on-demand fallback, as modules/runners configures one by default. */
export const pool: Ec2Pool = {
  target: "ec2",
  name: "ci",
  labels: ["ci"],
  architecture: "x64",
  capacityType: "spot",
  onDemandFallback: true,
  instanceTypes: ["m7i.large", "m6i.large"],
  subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  launchTemplateId: "lt-0123",
  maxRunners: 10,
  spotAllocationStrategy: "price-capacity-optimized",
  runnerLevel: "repo",
  runnerGroupId: 1,
  runnerGroupName: null,
  bootTimeoutSeconds: 300,
  maxLifetimeSeconds: 21600,
  interruptedRetryOnDemand: true,
};

/** A Fargate pool, Fargate Spot first, on the cluster and task definition the world's ECS fake has. */
export const fargatePool: FargatePool = {
  target: "fargate",
  name: "small",
  labels: ["small"],
  architecture: "x64",
  capacityType: "spot",
  onDemandFallback: true,
  subnetIds: ["subnet-a", "subnet-b"],
  maxRunners: 10,
  runnerLevel: "repo",
  runnerGroupId: 1,
  runnerGroupName: null,
  bootTimeoutSeconds: 300,
  maxLifetimeSeconds: 21600,
  interruptedRetryOnDemand: true,
  cluster: "ci-runners",
  taskDefinition: "ci-small:1",
  securityGroupIds: ["sg-0abc"],
  assignPublicIp: false,
  cpu: 1024,
  memory: 4096,
  ephemeralStorageGb: 20,
  taskRoleId: "AROAEXAMPLETASKROLE01",
};
